#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One end of the Unix stream socket between the server and a render worker, read and written in whole frames.
///
/// Every call blocks its thread: the server makes them only on `NIOThreadPool` threads, the worker on its main thread
/// (never the cooperative pool). With a deadline, each wait is a `poll` bounded by the time left, so a worker that
/// stops answering costs the caller the deadline, not a thread forever.
package struct RenderSocket: Sendable {
    package let fd: Int32

    package init(fd: Int32) {
        self.fd = fd
    }

    package enum Failure: Error, Equatable {
        /// The peer closed its end (or died): no frame will come.
        case closed
        case timedOut
        case malformed(String)
        case system(String, Int32)
    }

    package func write(_ frame: RenderFrame, deadline: ContinuousClock.Instant? = nil) throws(Failure) {
        for part in frame.encoded() {
            let result: Result<Void, Failure> = part.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    do throws(Failure) { try wait(for: Int16(POLLOUT), deadline: deadline) } catch { return .failure(error) }
                    // MSG_NOSIGNAL: a dead worker is an EPIPE here, never a SIGPIPE that would kill the server.
                    let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                    if sent >= 0 {
                        offset += sent
                    } else if errno == EAGAIN || errno == EINTR {
                        continue
                    } else if errno == EPIPE || errno == ECONNRESET {
                        return .failure(.closed)
                    } else {
                        return .failure(.system("send", errno))
                    }
                }
                return .success(())
            }
            try result.get()
        }
    }

    package func read(deadline: ContinuousClock.Instant? = nil) throws(Failure) -> RenderFrame {
        var buffer = ByteBuffer()
        while true {
            do throws(RenderFrame.Malformed) {
                if let frame = try RenderFrame.read(from: &buffer) { return frame }
                // Once the length is known, make room for the whole frame at once (one allocation for an upload).
                if let total = try RenderFrame.totalLength(peeking: buffer) {
                    buffer.reserveCapacity(minimumWritableBytes: total - buffer.readableBytes)
                }
            } catch {
                throw .malformed(error.description)
            }
            try wait(for: Int16(POLLIN), deadline: deadline)
            var failure: Failure?
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 * 1024) { space in
                let count = recv(fd, space.baseAddress!, space.count, Int32(MSG_DONTWAIT))
                if count > 0 { return count }
                if count == 0 {
                    failure = .closed
                } else if errno != EAGAIN && errno != EINTR {
                    failure = errno == ECONNRESET ? .closed : .system("recv", errno)
                }
                return 0
            }
            if let failure { throw failure }
        }
    }

    /// Waits until the socket is ready for `events`, at most until `deadline` (forever without one).
    private func wait(for events: Int16, deadline: ContinuousClock.Instant?) throws(Failure) {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { throw .timedOut }
                let (seconds, attoseconds) = left.components
                timeout = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return }  // readable, writable, or hung up: the read or write says which
            if ready == 0 { continue }  // the loop re-checks the deadline
            if errno != EINTR { throw .system("poll", errno) }
        }
    }

    package func closeSocket() {
        _ = close(fd)
    }
}
