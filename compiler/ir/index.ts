export * from "./plan";
export { lowerToPlans } from "./lower";
export { crossTierLinks, type ComponentRef, type CrossTierLink } from "./tier-links";
