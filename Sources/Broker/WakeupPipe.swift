#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lets other threads interrupt a worker thread that is waiting for the broker.
///
/// The worker polls its socket and this pipe together, so a publish or an ack queued from an
/// async task is sent at once instead of after the next poll timeout.
final class WakeupPipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { fatalError("cannot create a pipe: errno \(errno)") }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the worker; never blocks (a full pipe already means "wake up").
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Waits until `socket` (if any) is readable, the pipe is signalled, or `timeout` passes.
    ///
    /// - Returns: whether the socket is readable (or in error, which the next read reports).
    func wait(socket: Int32?, timeout: Duration) -> Bool {
        var descriptors = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        if let socket, socket >= 0 {
            descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0))
        }
        let milliseconds = Int32(min(max(timeout.seconds * 1000, 0).rounded(.up), 60_000))
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        guard ready > 0 else { return false }
        if descriptors[0].revents != 0 { drain() }
        return descriptors.count > 1 && descriptors[1].revents != 0
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}
