export * from "./plan";
export { lowerToPlans } from "./lower";
