export { buildTiers, type BuildOptions, type TierBuild } from "./build-tiers";
export { EmbeddedNodeError, EMBEDDED_NODE_VERSION } from "./embedded-node";
