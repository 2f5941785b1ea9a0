// The plan types are defined once, in runtime/agent/tier-plan.ts: agents embed the plan (for
// `--describe`) and the runtime never imports the compiler.
export type {
  ChannelTarget,
  ComponentPlan,
  GroupPlan,
  InterceptorPlan,
  PlanCondition,
  PlanSubject,
  PlanValue,
  RouteArmPlan,
  SinkPlan,
  SourcePlan,
  TestPlan,
  TestStepPlan,
  TierPlan,
} from "../../runtime/agent/tier-plan";
export { isEnvValue, isMapValue } from "../../runtime/agent/tier-plan";
