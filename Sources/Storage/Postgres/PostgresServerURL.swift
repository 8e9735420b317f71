import Foundation
import NIOSSL
import PostgresNIO

/// One physical server, parsed from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=disable`.
///
/// Percent-escapes are decoded in user, password and database; `[::1]` is an IPv6 host.
/// TLS: `sslmode=disable` turns it off, `require` (or `verify-ca`/`verify-full`) demands it,
/// `prefer` uses it when offered. Without `sslmode`, loopback hosts get no TLS and any other host
/// `prefer`, like libpq.
public struct PostgresServerURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tlsMode: TLSMode

    public init(_ string: String) throws(StorageError) {
        func invalid(_ reason: String) -> StorageError {
            // The URL may hold a password: name only the part that is wrong.
            StorageError(.invalidArgument, "invalid PostgreSQL URL: \(reason)")
        }
        var rest = Substring(string.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw invalid("it must start with postgres:// or postgresql://")
        }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }

        // Host and port; an IPv6 literal sits in brackets.
        var hostPart = rest
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw invalid("unclosed '[' in the host") }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portPart = after.dropFirst()
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw invalid("the host is missing") }
        self.host = String(hostPart)
        if let portPart {
            guard let port = Int(portPart), (1...65535).contains(port) else { throw invalid("the port is not a number in 1...65535") }
            self.port = port
        } else {
            self.port = 5432
        }

        guard let userInfo, !userInfo.isEmpty else { throw invalid("the user is missing (postgres://user@host/db)") }
        if let colon = userInfo.firstIndex(of: ":") {
            guard let user = String(userInfo[..<colon]).removingPercentEncoding,
                  let password = String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding
            else { throw invalid("bad percent-escape in the user or password") }
            self.user = user
            self.password = password
        } else {
            guard let user = String(userInfo).removingPercentEncoding else { throw invalid("bad percent-escape in the user") }
            self.user = user
            self.password = nil
        }
        guard !user.isEmpty else { throw invalid("the user is empty") }

        guard let database = String(path).removingPercentEncoding else { throw invalid("bad percent-escape in the database") }
        // libpq defaults the database to the user name.
        self.database = database.isEmpty ? user : database

        var mode: TLSMode?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard keyValue.count == 2 else { throw invalid("query parameter '\(pair.prefix(40))' has no value") }
            switch keyValue[0] {
            case "sslmode":
                switch keyValue[1] {
                case "disable", "allow": mode = .disable
                case "prefer": mode = .prefer
                case "require", "verify-ca", "verify-full": mode = .require
                default: throw invalid("unknown sslmode '\(keyValue[1].prefix(20))'")
                }
            default:
                // Other libpq parameters (application_name, connect_timeout, ...) are set through
                // the configuration instead; refusing them avoids silently ignoring a setting.
                throw invalid("unsupported query parameter '\(keyValue[0].prefix(40))' (only sslmode)")
            }
        }
        self.tlsMode = mode ?? (Self.isLoopback(host) ? .disable : .prefer)
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The URL without the password, for logs and health reports.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The postgres-nio configuration for this server (options left at their defaults).
    public func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch tlsMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
