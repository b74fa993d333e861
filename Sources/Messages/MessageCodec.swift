import Foundation
import Yams

/// The one place documents and messages are turned into bytes and back.
///
/// Every decoding failure comes out as a ``DocumentError`` whose problems name their place, so
/// the API can answer 400 with it and consumers can dead-letter a body with it as the reason.
/// JSON output has sorted keys (stable bytes for the same value); YAML output keeps the model's
/// field order, which follows the seed.
public enum MessageCodec {
    /// Decodes bytes this system wrote itself (its stored records), as they are. Anything from
    /// outside goes through ``decode(_:from:format:limits:)`` or ``decodeWire(_:from:)``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, format: WireFormat) throws(DocumentError) -> T {
        try decode(type, from: data, format: format, userInfo: [:])
    }

    /// Decodes a text from outside (a request body): its shape is checked against `limits` on
    /// the raw bytes first, and only a text within them is built into a document.
    /// - Throws: ``DocumentError``, with ``DocumentError/exceeded`` set for a limit.
    public static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, format: WireFormat, limits: DocumentLimits
    ) throws(DocumentError) -> T {
        try limits.check(data, format: format)
        return try decode(type, from: data, format: format, userInfo: [:])
    }

    /// Decodes a message between services (JSON): checked against ``DocumentLimits/message``
    /// first, then read like ``decode(_:from:format:)`` except that keys this build does not
    /// know are ignored (``CodingUserInfoKey/ignoresUnknownKeys``), so messages from a newer
    /// sender are understood during a rolling upgrade.
    public static func decodeWire<T: Decodable>(_ type: T.Type, from data: Data) throws(DocumentError) -> T {
        try DocumentLimits.message.check(data, format: .json)
        return try decode(type, from: data, format: .json, userInfo: [.ignoresUnknownKeys: true])
    }

    static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, format: WireFormat, userInfo: [CodingUserInfoKey: any Sendable]
    ) throws(DocumentError) -> T {
        switch format {
        case .json:
            if data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
                throw DocumentError(path: "", message: "the document is empty")
            }
            do {
                let decoder = JSONDecoder()
                decoder.userInfo = userInfo
                return try decoder.decode(type, from: data)
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty && context.underlyingError == nil {
                throw syntaxError(json: data) ?? DocumentError(path: "", message: "not valid JSON")
            } catch {
                throw DocumentError(decoding: error)
            }
        case .yaml:
            guard let text = String(data: data, encoding: .utf8) else {
                throw DocumentError(path: "", message: "the document is not UTF-8 text")
            }
            return try decode(type, from: text, format: .yaml)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String, format: WireFormat) throws(DocumentError) -> T {
        switch format {
        case .json:
            return try decode(type, from: Data(text.utf8), format: .json)
        case .yaml:
            if text.allSatisfy(\.isWhitespace) {
                throw DocumentError(path: "", message: "the document is empty")
            }
            do {
                return try YAMLDecoder().decode(type, from: text, userInfo: [.preservesKeyOrder: true])
            } catch {
                throw DocumentError(decoding: error)
            }
        }
    }

    /// Encodes `value`. The model's types cannot fail to encode (no floating point, no
    /// conditional containers), so failing is a programming error and traps rather than
    /// making every publish site handle an impossible error.
    public static func encode<T: Encodable>(_ value: T, format: WireFormat) -> Data {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            do {
                return try encoder.encode(value)
            } catch {
                preconditionFailure("encoding \(T.self) as JSON failed: \(error)")
            }
        case .yaml:
            return Data(encodeString(value, format: .yaml).utf8)
        }
    }

    /// Encodes `value` as text (UTF-8).
    public static func encodeString<T: Encodable>(_ value: T, format: WireFormat) -> String {
        switch format {
        case .json:
            return String(decoding: encode(value, format: .json), as: UTF8.self)
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options = YAMLEncoder.Options(indent: 2, width: -1, allowUnicode: true)
            do {
                return try encoder.encode(value)
            } catch {
                preconditionFailure("encoding \(T.self) as YAML failed: \(error)")
            }
        }
    }

    /// JSONDecoder says only "not valid JSON"; JSONSerialization says where. Asked only on the
    /// error path, so valid bodies are parsed once.
    private static func syntaxError(json data: Data) -> DocumentError? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return DocumentError(path: "", message: "not valid JSON: \(detail)")
        }
    }
}
