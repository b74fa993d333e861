/// Turns an error a handler threw into what to do with its delivery. Each service composes its
/// own from the errors its dependencies throw (the store's outage errors pause, a lost race is
/// retried); anything a classifier does not recognise is retried and, past the retry policy,
/// dead-lettered, so a message that trips a bug cannot crash-loop a service.
public struct ErrorClassifier: Sendable {
    public let classify: @Sendable (any Error) -> Disposition?

    /// - Parameter classify: the disposition for errors it recognises, nil for the rest.
    public init(_ classify: @escaping @Sendable (any Error) -> Disposition?) {
        self.classify = classify
    }

    /// What the dispatcher does with `error`.
    public func disposition(for error: any Error) -> Disposition {
        if let rejection = error as? MessageRejection { return .deadLetter(reason: rejection.reason) }
        return classify(error) ?? .retry(reason: "\(error)")
    }

    /// Recognises nothing: every error is retried, then dead-lettered.
    public static let retryEverything = ErrorClassifier { _ in nil }

    /// The first classifier that recognises the error decides.
    public static func first(_ classifiers: ErrorClassifier...) -> ErrorClassifier {
        ErrorClassifier { error in
            for classifier in classifiers {
                if let disposition = classifier.classify(error) { return disposition }
            }
            return nil
        }
    }
}
