import CYaml

/// Reads YAML as libyaml's event stream (the parser Yams itself uses, bundled with it), which
/// builds nothing: each event is a scalar, the start or end of a mapping or list, or an alias.
/// The stream is read to its end or to the first limit exceeded, before Yams composes a
/// document, whose composer recurses once per level and expands every alias.
///
/// A syntax error ends the scan without a verdict: Yams reads the same text with the same
/// parser next and reports the error with its line, never reading past what was checked here.
/// One error is a verdict: libyaml's own bound on nesting (1000 levels), which its scanner can
/// reach before the first event — it reads up to 1024 characters ahead to tell whether a `[`
/// starts a key, so `[[[[…` a hundred thousand deep stops there, before this scan sees level 65.
enum YAMLShapeScanner {
    static func scan(_ bytes: UnsafeRawBufferPointer, limits: DocumentLimits) -> LimitExceeded? {
        // libyaml asserts on an empty input; an empty text is within every limit.
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, base.assumingMemoryBound(to: UInt8.self), bytes.count)

        var tally = ShapeTally(limits: limits)
        var event = yaml_event_t()
        while yaml_parser_parse(&parser, &event) == 1 {
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            func exceeded(_ limit: DocumentLimit, found: String? = nil) -> LimitExceeded {
                LimitExceeded(limit: limit, maximum: limits[limit], line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                              found: found)
            }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_ALIAS_EVENT:
                return exceeded(.anchors, found: "*" + name(event.data.alias.anchor))
            case YAML_SCALAR_EVENT:
                if let anchor = event.data.scalar.anchor { return exceeded(.anchors, found: "&" + name(anchor)) }
                if let limit = tally.value() { return exceeded(limit) }
                if event.data.scalar.length > limits.maxScalarBytes { return exceeded(.scalarBytes) }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                if let anchor { return exceeded(.anchors, found: "&" + name(anchor)) }
                if let limit = tally.value() { return exceeded(limit) }
                if let limit = tally.enter(mapping: isMapping) { return exceeded(limit) }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                tally.leave()
            default:
                break
            }
        }
        if parser.error == YAML_PARSER_ERROR, let problem = parser.problem,
           String(cString: problem).hasPrefix("Maximum nesting level") {
            let mark = parser.problem_mark
            return LimitExceeded(limit: .nesting, maximum: limits.maxNesting, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        }
        return nil
    }

    /// An anchor's name for a message, shortened: it is the sender's text.
    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
        guard let pointer else { return "" }
        let text = String(cString: pointer)
        return text.count > 32 ? String(text.prefix(32)) + "…" : text
    }
}
