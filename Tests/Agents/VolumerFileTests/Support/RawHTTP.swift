import Foundation

/// One HTTP exchange over a plain socket to 127.0.0.1, byte for byte, for checking a server's
/// answers (status, headers) without an HTTP client in the test target.
enum RawHTTP {
    struct Reply {
        var head: String
        var body: [UInt8]
        var status: Int? { head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } }
        func header(_ name: String) -> String? {
            head.components(separatedBy: "\r\n").dropFirst().first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// Sends `request` and reads until the server closes (every answer closes), at most 10 s.
    static func exchange(port: Int, _ request: String) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, request) })
            }
        }
    }

    static func get(port: Int, _ path: String, token: String? = nil) async throws -> Reply {
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        return try await exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)\r\n")
    }

    struct Failure: Error { var step: String; var code: Int32 }

    private static func blockingExchange(port: Int, _ request: String) throws -> Reply {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(step: "socket", code: errno) }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(step: "connect", code: errno) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(step: "send", code: errno) }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(step: "recv", code: errno) }
            received += buffer[..<count]
        }
        let separator = Array("\r\n\r\n".utf8)
        let end = (0...(max(received.count - separator.count, 0))).first { Array(received[$0..<min($0 + 4, received.count)]) == separator }
        guard let end else { return Reply(head: String(decoding: received, as: UTF8.self), body: []) }
        return Reply(head: String(decoding: received[..<end], as: UTF8.self), body: Array(received[(end + 4)...]))
    }
}
