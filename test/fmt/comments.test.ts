import { describe, expect, it } from "vitest";
import { formatFlow } from "../../compiler/fmt";
import { commentPlaces } from "./fmt-helpers";

/** Formats `input`, checks the result, that it is a fixed point, and that every comment kept its place. */
function expectFormat(input: string, expected: string): void {
  const formatted = formatFlow(input);
  expect(formatted).toBe(expected);
  expect(formatFlow(expected)).toBe(expected);
  expect(commentPlaces(formatted)).toEqual(commentPlaces(input));
}

describe("comments before items", () => {
  it("keeps own-line comments before top-level items and tier items, with the blank lines around them", () => {
    expectFormat(
      "# file header\n\n\n# about the import\nimport \"a.flow\"\n# about the tier\ntier t {\n  # about c\n  channel c = memory {}\n\n  # a section\n\n  # about d\n  channel d = memory {}\n}\n",
      "# file header\n\n# about the import\nimport \"a.flow\"\n\n# about the tier\ntier t {\n  # about c\n  channel c = memory {}\n\n  # a section\n\n  # about d\n  channel d = memory {}\n}\n",
    );
  });

  it("re-indents own-line comments with the item they belong to", () => {
    expectFormat("tier t {\n# about c\n        channel c = memory {}\n}\n", "tier t {\n  # about c\n  channel c = memory {}\n}\n");
  });
});

describe("trailing comments", () => {
  it("keeps a comment at the end of its line, one space after the code", () => {
    expectFormat(
      'import "a.flow"      # shared\ntier t {   # the tier\n  channel c = memory {}     # a buffer\n  c -> d # wiring\n}    # done\n',
      'import "a.flow" # shared\n\ntier t { # the tier\n  channel c = memory {} # a buffer\n  c -> d # wiring\n} # done\n',
    );
  });

  it("breaks a block that has a comment inside, even if it would fit on one line", () => {
    expectFormat(
      "tier t {\n  source s = tcp { port = 5140, # the port\n    bind = \"0.0.0.0\" }\n}\n",
      "tier t {\n  source s = tcp {\n    port = 5140 # the port\n    bind = \"0.0.0.0\"\n  }\n}\n",
    );
  });

  it("writes the comma of a broken list before the comment", () => {
    expectFormat(
      "tier t {\n  group g = failover { sinks = [a # primary\n  , b] }\n}\n",
      "tier t {\n  group g = failover {\n    sinks = [\n      a, # primary\n      b,\n    ]\n  }\n}\n",
    );
  });

  it("trims trailing spaces and carriage returns from comments", () => {
    expectFormat("# header   \r\ntier t { # t\t \r\n}\r\n", "# header\ntier t { # t\n}\n");
  });
});

describe("comments inside blocks", () => {
  it("keeps own-line comments between properties and before the closing brace", () => {
    expectFormat(
      "tier t {\n  sink k = files {\n    # where\n    path = \"o.log\"\n\n    # end of the block\n  }\n}\n",
      "tier t {\n  sink k = files {\n    # where\n    path = \"o.log\"\n\n    # end of the block\n  }\n}\n",
    );
  });

  it("keeps a block that holds only a comment", () => {
    expectFormat("tier t { channel c = memory { # nothing yet\n} }\n", "tier t {\n  channel c = memory { # nothing yet\n  }\n}\n");
    expectFormat("tier t { channel c = memory {\n# nothing yet\n} }\n", "tier t {\n  channel c = memory {\n    # nothing yet\n  }\n}\n");
  });
});

describe("comments in interceptor chains", () => {
  it("keeps comments between interceptors, and after the block before the chain", () => {
    expectFormat(
      "tier t {\n  source s = tcp { port = 1 } # tcp\n    | host() # the host\n    # then the time\n    | timestamp()\n}\n",
      "tier t {\n  source s = tcp { port = 1 } # tcp\n    | host() # the host\n    # then the time\n    | timestamp()\n}\n",
    );
  });

  it("breaks a drop condition that holds a comment", () => {
    expectFormat(
      "tier t {\n  source s = tcp {} | drop(body ~ /a/ # health checks\n or body ~ /b/)\n}\n",
      "tier t {\n  source s = tcp {}\n    | drop(\n        body ~ /a/ # health checks\n          or body ~ /b/\n      )\n}\n",
    );
  });
});

describe("comments in routes and tests", () => {
  it("keeps comments before, after and between route arms", () => {
    expectFormat(
      "tier t {\n  route s { # by level\n    # errors first\n    when header.level == \"ERROR\" -> hot # alert\n    else -> cold\n    # nothing else\n  }\n}\n",
      "tier t {\n  route s { # by level\n    # errors first\n    when header.level == \"ERROR\" -> hot # alert\n    else -> cold\n    # nothing else\n  }\n}\n",
    );
  });

  it("breaks an arm whose condition holds a comment", () => {
    expectFormat(
      "tier t {\n  route s {\n    when body ~ /a/ # a\n      or body ~ /b/ -> hot\n    else -> cold\n  }\n}\n",
      "tier t {\n  route s {\n    when body ~ /a/ # a\n      or body ~ /b/\n      -> hot\n    else -> cold\n  }\n}\n",
    );
  });

  it("keeps comments between test steps and inside a send block", () => {
    expectFormat(
      'tier t {\n  test "x" {\n    # an error\n    send s { body = "disk full" } # sent\n    send s { # another\n      body = "y" }\n    expect hot # where it goes\n    # done\n  }\n}\n',
      'tier t {\n  test "x" {\n    # an error\n    send s { body = "disk full" } # sent\n    send s { # another\n      body = "y"\n    }\n    expect hot # where it goes\n    # done\n  }\n}\n',
    );
  });
});

describe("comments at the end", () => {
  it("keeps comments at the end of a tier and at the end of the file", () => {
    expectFormat(
      "tier t {\n  c -> d\n\n  # end of tier\n}\n# end of file 1\n\n\n# end of file 2",
      "tier t {\n  c -> d\n\n  # end of tier\n}\n# end of file 1\n\n# end of file 2\n",
    );
  });

  it("formats a file that holds only comments", () => {
    expectFormat("   # one\n# two   \n", "# one\n# two\n");
  });
});

describe("comments in unusual places", () => {
  it("breaks the line after a comment between two tokens, and keeps the comment between them", () => {
    expectFormat("tier t {\n  source s = # a source\n    tcp {}\n}\n", "tier t {\n  source s = # a source\n    tcp {}\n}\n");
    expectFormat("tier t {\n  s -> # first hop\n    c -> k\n}\n", "tier t {\n  s\n    -> # first hop\n      c\n    -> k\n}\n");
  });
});
