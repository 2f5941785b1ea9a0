import { MemoryChannel, type MemoryChannelConfig } from "../../runtime/channels/memory/memory-channel";
import { memoryChannelSpec } from "../../runtime/channels/memory/spec";

/** A memory channel with the spec's defaults for whatever `config` leaves out. */
export function memoryChannel(name: string, config: Partial<MemoryChannelConfig> = {}): MemoryChannel {
  const { properties } = memoryChannelSpec;
  return new MemoryChannel(name, {
    capacity: properties.capacity.default,
    transaction_capacity: properties.transaction_capacity.default,
    byte_capacity: properties.byte_capacity.default,
    ...config,
  });
}
