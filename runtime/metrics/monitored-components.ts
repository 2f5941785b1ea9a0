/**
 * The components whose counters the metrics endpoints report, with Flume's component types. Listed once
 * when the agent starts (its topology never changes); the counters are read only when scraped.
 */
export const COMPONENT_TYPES = ["SOURCE", "CHANNEL", "SINK_PROCESSOR", "SINK"] as const;

/** Flume's `MonitoredCounterGroup.Type`s that flowc reports; a sink group is Flume's `SINK_PROCESSOR`. */
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export interface MonitoredComponent {
  readonly type: ComponentType;
  readonly name: string;
  /** A counter from `counters.ts` (or a subclass): its attributes are read by `forEachAttribute`. */
  readonly counter: object;
}

interface Counted {
  readonly name: string;
  readonly counter: object;
}

/** What a sink runner runs: a sink, or a sink group, which lists its member sinks in `sinks`. */
interface CountedSink extends Counted {
  readonly sinks?: readonly Counted[];
}

/** The parts of an agent's topology that carry counters (structurally, so any topology shape fits). */
export interface CountedTopology {
  readonly sources: readonly Counted[];
  readonly channels: readonly Counted[];
  readonly sinkRunners: readonly { readonly sink: CountedSink }[];
}

/**
 * Sources, then channels, then what each sink runner runs, in topology order (the order of the exported
 * metrics). A sink group is reported as a `SINK_PROCESSOR` followed by its members as `SINK`s, so summing
 * the sinks' counters does not count a group's deliveries twice.
 */
export function monitoredComponents(topology: CountedTopology): MonitoredComponent[] {
  const components: MonitoredComponent[] = [];
  for (const source of topology.sources) components.push({ type: "SOURCE", name: source.name, counter: source.counter });
  for (const channel of topology.channels) components.push({ type: "CHANNEL", name: channel.name, counter: channel.counter });
  for (const { sink } of topology.sinkRunners) {
    if (sink.sinks === undefined) {
      components.push({ type: "SINK", name: sink.name, counter: sink.counter });
      continue;
    }
    components.push({ type: "SINK_PROCESSOR", name: sink.name, counter: sink.counter });
    for (const member of sink.sinks) components.push({ type: "SINK", name: member.name, counter: member.counter });
  }
  return components;
}
