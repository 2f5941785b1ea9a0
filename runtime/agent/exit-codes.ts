/** Exit codes of an agent binary (documented in its --help and in docs/agent.md). */
export const AgentExit = {
  ok: 0,
  runtimeFailure: 1,
  usage: 2,
  internal: 70,
  config: 78,
} as const;
