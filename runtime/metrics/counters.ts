/**
 * Counters with Flume's attribute names (see Flume's SourceCounter, ChannelCounter and SinkCounter), so
 * dashboards built for Flume's JSON metrics keep working. Plain fields: incrementing is a field add.
 */
export class SourceCounter {
  EventReceivedCount = 0;
  EventAcceptedCount = 0;
  OpenConnectionCount = 0;
  EventReadFail = 0;
  ChannelWriteFail = 0;
  GenericProcessingFail = 0;
  StartTime = 0;
  StopTime = 0;
}

export class ChannelCounter {
  EventPutAttemptCount = 0;
  EventPutSuccessCount = 0;
  EventTakeAttemptCount = 0;
  EventTakeSuccessCount = 0;
  ChannelSize = 0;
  StartTime = 0;
  StopTime = 0;

  constructor(readonly ChannelCapacity: number) {}

  get ChannelFillPercentage(): number {
    return this.ChannelCapacity === 0 ? Number.MAX_VALUE : (this.ChannelSize / this.ChannelCapacity) * 100;
  }
}

export class SinkCounter {
  ConnectionCreatedCount = 0;
  ConnectionClosedCount = 0;
  ConnectionFailedCount = 0;
  BatchEmptyCount = 0;
  BatchUnderflowCount = 0;
  BatchCompleteCount = 0;
  EventDrainAttemptCount = 0;
  EventDrainSuccessCount = 0;
  EventWriteFail = 0;
  ChannelReadFail = 0;
  StartTime = 0;
  StopTime = 0;
}
