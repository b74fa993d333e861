import Foundation
import TestSupport

/// A VNC client that does nothing but log in (RFB 3.8, VNC authentication), as a user's viewer
/// would, to a console inside a network namespace (through `socat` there).
enum VNCLogin {
    enum Outcome: Equatable, CustomStringConvertible {
        case accepted
        /// The server's reason.
        case refused(String)

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .refused(let reason): "refused (\(reason))"
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Logs in to the VNC server on `127.0.0.1:port` in `namespace` with `password`; every
    /// answer is waited for at most `timeout`.
    static func attempt(namespace: NetworkNamespace, port: Int, password: String,
                        timeout: Duration = .seconds(10)) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name, "socat", "STDIO", "TCP:127.0.0.1:\(port)"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: a child of the test process may inherit blocked signals, SIGTERM among them.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let deadline = ContinuousClock.now + timeout
        // Plain read(2) under poll(2): the bytes that are there, never waiting past the deadline.
        func read(_ count: Int) throws -> [UInt8] {
            let descriptor = output.fileHandleForReading.fileDescriptor
            var bytes: [UInt8] = []
            while bytes.count < count {
                let left = deadline - ContinuousClock.now
                var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let milliseconds = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                guard poll(&request, 1, milliseconds) > 0 else {
                    throw Failure(description: "the VNC server did not answer within \(timeout)")
                }
                var buffer = [UInt8](repeating: 0, count: count - bytes.count)
                let got = Glibc.read(descriptor, &buffer, buffer.count)
                guard got > 0 else { throw Failure(description: "the VNC server closed the connection") }
                bytes += buffer[0..<got]
            }
            return bytes
        }
        func write(_ bytes: [UInt8]) throws {
            let written = bytes.withUnsafeBytes { Glibc.write(input.fileHandleForWriting.fileDescriptor, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw Failure(description: "cannot write to the VNC connection") }
        }
        func readU32() throws -> Int {
            try read(4).reduce(0) { ($0 << 8) | Int($1) }
        }

        let greeting = String(decoding: try read(12), as: UTF8.self)
        guard greeting.hasPrefix("RFB 003.") else { throw Failure(description: "not a VNC server: \(greeting)") }
        try write(Array("RFB 003.008\n".utf8))
        let count = Int(try read(1)[0])
        guard count > 0 else {
            return .refused(String(decoding: try read(try readU32()), as: UTF8.self))
        }
        let types = try read(count)
        guard types.contains(vncAuthentication) else {
            throw Failure(description: "the server offers no VNC authentication (security types \(types))")
        }
        try write([vncAuthentication])
        let challenge = try read(16)
        try write(response(to: challenge, password: password))
        guard try readU32() != 0 else { return .accepted }
        return .refused(String(decoding: try read(try readU32()), as: UTF8.self))
    }

    static let vncAuthentication: UInt8 = 2

    /// The challenge encrypted with DES, the key being the password's first 8 bytes (zero-padded)
    /// each with its bits reversed, as VNC servers expect.
    static func response(to challenge: [UInt8], password: String) -> [UInt8] {
        var key = Array(password.utf8.prefix(8))
        key += [UInt8](repeating: 0, count: 8 - key.count)
        key = key.map { byte in (0..<8).reduce(UInt8(0)) { ($0 << 1) | ((byte >> $1) & 1) } }
        return DES.encrypt(Array(challenge[0..<8]), key: key) + DES.encrypt(Array(challenge[8..<16]), key: key)
    }
}
