import Logging

extension LoggingSystem {
    /// Sends every log line to standard error (journald picks it up under systemd), at `level`.
    /// Called once per process, before the first logger is made.
    public static func bootstrapN0Core(level: Logger.Level) {
        bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
