export * from "./checked-model";
export { checkTopology } from "./check-topology";
export { ConditionLogic } from "./condition-logic";
export { GROUP_MEMBERS_PROPERTY } from "./check-components";
