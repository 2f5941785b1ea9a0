export { buildTiers, type BuildOptions, type TierBuild } from "./build-tiers";
export { EmbeddedNodeError, EMBEDDED_NODE_VERSION } from "./embedded-node";
export { hostFootprint, type DeployValue, type EnvVariable, type HostFootprint, type Listen, type Write } from "./host-footprint";
export { renderManifest, sourceDigests, tierManifest, type Manifest, type SourceDigest } from "./manifest";
export { serviceUser, systemdUnit } from "./systemd-unit";
