/** Operating a running processor: the HTTP monitor and metrics, structured logs, recovery ETA. */
export { parseHostPort, startMonitor } from "./server.js";
export type { Monitor, MonitorEmit, MonitorEmitResult, MonitorOptions, MonitorStatus } from "./server.js";
export type { ErrorStatus, GroupStatus, InputStatus, MonitorPartitionState, PartitionStatus, RecoveryStatus } from "./observer.js";
export { createLogger, formatPretty, isLogLevel, LOG_LEVELS, logProcessorEvents } from "./logger.js";
export type { Logger, LoggerOptions, LogLevel, ProcessorLogOptions } from "./logger.js";
export { RecoveryEta } from "./eta.js";
export { trackRecovery } from "./recovery-progress.js";
export type { GroupRecoveryProgress, TrackRecoveryOptions } from "./recovery-progress.js";
export type { RecoveryEtaOptions } from "./eta.js";
export { toJson } from "./to-json.js";
