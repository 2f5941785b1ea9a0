/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for checking what the agent serves: every
 * family has `# HELP` then `# TYPE` before its samples, appears once, and keeps its samples together;
 * names, label sets and values are valid. Throws with the line number on the first violation.
 */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: PrometheusSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "untyped", "summary", "histogram"]);

export function parsePrometheusText(text: string): PrometheusFamily[] {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the text does not end with a line feed");
  const families: PrometheusFamily[] = [];
  const seen = new Set<string>();
  let current: { family: PrometheusFamily; typed: boolean; labelSets: Set<string> } | undefined;
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.startsWith("# HELP ")) {
      const rest = line.slice("# HELP ".length);
      const space = rest.indexOf(" ");
      const name = space === -1 ? rest : rest.slice(0, space);
      if (!METRIC_NAME.test(name)) fail("invalid metric name");
      if (seen.has(name)) fail("a second HELP for the family");
      seen.add(name);
      const help = unescape(space === -1 ? "" : rest.slice(space + 1), false, fail);
      const family: PrometheusFamily = { name, help, type: "", samples: [] };
      families.push(family);
      current = { family, typed: false, labelSets: new Set() };
      return;
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type, extra] = line.slice("# TYPE ".length).split(" ");
      if (current === undefined || name !== current.family.name) return fail("TYPE without the family's HELP just before");
      if (current.typed || current.family.samples.length > 0) fail("TYPE after the family's samples or a second TYPE");
      if (type === undefined || !TYPES.has(type) || extra !== undefined) fail("invalid type");
      (current.family as { type: string }).type = type ?? "";
      current.typed = true;
      return;
    }
    if (line.startsWith("#") || line.trim() === "") fail("unexpected comment or blank line");
    const sample = parseSample(line, fail);
    if (current === undefined || !current.typed) return fail("sample before its family's HELP and TYPE");
    if (sample.name !== current.family.name) fail(`sample of another family than ${current.family.name}`);
    const labelKey = JSON.stringify(Object.entries(sample.labels).sort());
    if (current.labelSets.has(labelKey)) fail("duplicate label set");
    current.labelSets.add(labelKey);
    current.family.samples.push(sample);
  });
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is not exactly one. */
export function sampleValue(families: readonly PrometheusFamily[], name: string, labels: Readonly<Record<string, string>>): number {
  const family = families.find((candidate) => candidate.name === name);
  const matches = (family?.samples ?? []).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}`);
  return (matches[0] as PrometheusSample).value;
}

function parseSample(line: string, fail: (why: string) => never): PrometheusSample {
  const nameEnd = line.search(/[{ ]/);
  if (nameEnd === -1) return fail("sample without a value");
  const name = line.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) fail("invalid metric name");
  const labels: Record<string, string> = {};
  let i = nameEnd;
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const eq = line.indexOf("=", i);
      if (eq === -1) fail("label without a value");
      const labelName = line.slice(i, eq);
      if (!LABEL_NAME.test(labelName) || labelName in labels) fail(`invalid or repeated label name ${labelName}`);
      if (line[eq + 1] !== '"') fail("label value not quoted");
      let j = eq + 2;
      let raw = "";
      while (j < line.length && line[j] !== '"') {
        if (line[j] === "\\") {
          raw += line.slice(j, j + 2);
          j += 2;
        } else raw += line[j++];
      }
      if (j >= line.length) fail("unterminated label value");
      labels[labelName] = unescape(raw, true, fail);
      i = j + 1;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") fail("expected , or } after a label");
    }
    i++;
  }
  if (line[i] !== " ") fail("expected one space before the value");
  const [valueText, timestamp, extra] = line.slice(i + 1).split(" ");
  if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) fail("invalid timestamp or trailing text");
  const value = parseValue(valueText ?? "");
  if (value === undefined) fail("invalid value");
  return { name, labels, value: value as number };
}

function parseValue(text: string): number | undefined {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Undoes `\\`, `\n` (and `\"` in label values); any other escape is invalid. */
function unescape(text: string, label: boolean, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && label) return '"';
    return fail(`invalid escape \\${c}`);
  });
}
