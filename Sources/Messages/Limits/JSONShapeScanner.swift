/// Reads JSON bytes only as far as its shape: strings (with their escapes, so a quote or a
/// bracket inside one is not taken for structure), brackets, and bare tokens (numbers, `true`,
/// `false`, `null`). One pass, no allocation beyond the stack of open brackets; whether the text
/// is valid JSON is the decoder's business afterwards.
enum JSONShapeScanner {
    static func scan(_ bytes: UnsafeRawBufferPointer, limits: DocumentLimits) -> LimitExceeded? {
        var tally = ShapeTally(limits: limits)
        var line = 1
        var lineStart = 0
        var index = 0
        let count = bytes.count
        /// Where the bare token being read began, if one is.
        var tokenStart: Int?

        /// `position` is on line `onLine`, which begins at `lineBegins` (the current line by default).
        func exceeded(_ limit: DocumentLimit, at position: Int, onLine: Int? = nil, lineBegins: Int? = nil) -> LimitExceeded {
            LimitExceeded(limit: limit, maximum: limits[limit], line: onLine ?? line,
                          column: position - (lineBegins ?? lineStart) + 1)
        }
        /// Ends a bare token at `position`; its length is checked like a string's.
        func endToken(at position: Int) -> LimitExceeded? {
            defer { tokenStart = nil }
            if let start = tokenStart, position - start > limits.maxScalarBytes {
                return exceeded(.scalarBytes, at: start)
            }
            return nil
        }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if let problem = endToken(at: index) { return problem }
                if let limit = tally.value() { return exceeded(limit, at: index) }
                let (start, startLine, startLineStart) = (index, line, lineStart)
                index += 1
                // To the closing quote; a backslash escapes the byte after it.
                while index < count {
                    let inner = bytes[index]
                    if inner == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if inner == UInt8(ascii: "\"") { break }
                    if inner == UInt8(ascii: "\n") {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
                if min(index, count) - start - 1 > limits.maxScalarBytes {
                    return exceeded(.scalarBytes, at: start, onLine: startLine, lineBegins: startLineStart)
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if let problem = endToken(at: index) { return problem }
                if let limit = tally.value() { return exceeded(limit, at: index) }
                if let limit = tally.enter(mapping: byte == UInt8(ascii: "{")) { return exceeded(limit, at: index) }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let problem = endToken(at: index) { return problem }
                tally.leave()
            case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                if let problem = endToken(at: index) { return problem }
            case UInt8(ascii: "\n"):
                if let problem = endToken(at: index) { return problem }
                line += 1
                lineStart = index + 1
            default:
                if tokenStart == nil {
                    tokenStart = index
                    if let limit = tally.value() { return exceeded(limit, at: index) }
                }
            }
            index += 1
        }
        return endToken(at: count)
    }
}
