/** Hand-written inputs in unusual layouts; each must format idempotently without changing its meaning. */
export const MESSY_INPUTS: Readonly<Record<string, string>> = {
  "everything on one line": `tier t{source s=tcp{port=5140,bind="0.0.0.0"}|host(header="host")|timestamp() channel c=memory{capacity=10_000} sink k=files{path="o.log"} s->c->k}`,

  "odd spacing": `tier   t
{
      source    s   =   tcp   {   port   =   5140   }
  channel c=memory      {}
        sink k = files{path   =   "o.log"}
   s   ->   c
        ->   k
}
`,

  "trailing commas everywhere": `tier t {
  source s = tcp { port = 5140, bind = "127.0.0.1", } | host(header = "host",)
  channel c = memory { capacity = 100, transaction_capacity = 10, }
  sink k = files { path = env("OUT", "o.log",), }
  group g = failover { sinks = [k, k2,], }
  sink k2 = files { path = "p.log" }
  s -> c -> g
}
`,

  "extra blank lines": `


# header comment



tier t {


  source s = tcp { port = 5140 }



  channel c = memory {}
  sink k = files { path = "o.log" }


  s -> c -> k


}



`,

  "multi-line blocks that fit on one line": `tier t {
  source s = tcp {
    port = 5140

    bind = "127.0.0.1"
  }
  channel c = memory {
  }
  sink k = files {
    path = "o.log"
  }
  s -> c -> k
}
`,

  "routes and tests squeezed": `tier t {
  source s = tcp { port = 5140 } | host(header = "host")
  channel a = memory {} channel b = memory {}
  sink ka = files { path = "a.log" } sink kb = files { path = "b.log" }
  a -> ka b -> kb
  route s { when header.level in ["ERROR","FATAL",] and not (body ~ /ok/i or header["x-skip"] exists) -> a, optional b when header.host != "h" -> b else -> b }
  test "routing"{send s{headers={level="ERROR",host="web1"},body="disk full"}expect a,b send s{body="x"}expect b}
}
`,

  "strings with escapes": `tier t {
  source s = tcp { port = 5140 }
  channel c = memory {}
  sink k = files { path = "a\\u{62}c\\u{9}d\\"e\\\\f\\u{1F600}\\u{200b}.log" }
  s -> c -> k
}
`,

  "CRLF line endings and trailing spaces": "# crlf   \r\ntier t {   \r\n  source s = tcp { port = 5140 }   # trailing   \r\n  channel c = memory {}\r\n  sink k = files { path = \"o.log\" }\r\n  s -> c -> k\r\n}\r\n",

  "comments in odd places": `tier t # the tier
{
  source s = # a tcp source
    tcp { port = 5140 } # port
  # before the channel
  channel c = memory { # inside
    capacity = 100 # the capacity
    # after the last property
  }
  sink k = files { path = [ # a list
    "o.log", # first
  ] }
  s -> # arrow
    c -> k
  route s {
    # first arm
    when body ~ /x/ # matches x
      and body !~ /y/ -> c # goes to c
    # last arm
    else -> c
    # end of route
  }
  test "t" { # a test
    send s { body = "x" } # send
    # expect
    expect c
  }
  # end of tier
} # after the tier
# end of file
`,

  "only comments": "# nothing here yet\n\n# really\n",

  "empty file": "",

  "shared definitions and imports": `import "a.flow"
import "b.flow"
source base = tcp { port = 5140 }
channel buf = memory { capacity = 10 }
tier t { source s = base {} channel c = buf {} sink k = files { path = "o.log" } s -> c -> k }
`,
};
