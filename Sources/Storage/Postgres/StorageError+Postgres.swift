import PostgresNIO

extension StorageError {
    /// Where a sharded call was when it failed: before a connection was leased, a failure means
    /// the server could not be reached; afterwards it is the statement's (or the link's) fault.
    enum PostgresPhase: Sendable {
        case leasing
        case leased
    }

    /// Maps a postgres-nio failure to a `StorageError`, keeping the SQLSTATE in `serverCode`.
    /// `StorageError`s thrown by the caller's closure pass through unchanged, and so does
    /// `CancellationError`: the caller's task was cancelled, nothing failed in the store.
    static func postgres(_ error: any Error, phase: PostgresPhase, server: String) -> any Error {
        switch error {
        case let error as StorageError:
            return error
        case let error as CancellationError:
            return error
        case let error as PostgresTransactionError:
            // Closure errors are the interesting ones; BEGIN/COMMIT failures are the link's.
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return postgres(inner, phase: phase, server: server)
            }
            return StorageError(.queryFailed, "transaction on \(server) failed", underlying: error)
        case let error as PSQLError:
            return postgres(error, phase: phase, server: server)
        case let error as PostgresDecodingError:
            return StorageError(.protocolError, "a row from \(server) did not decode as expected (column \(error.columnName), \(error.code))", underlying: error)
        default:
            // Connection refused, DNS, TLS handshake, pool circuit breaker: all reachability.
            return StorageError(.unavailable, "PostgreSQL \(server) cannot be reached", underlying: error)
        }
    }

    private static func postgres(_ error: PSQLError, phase: PostgresPhase, server: String) -> StorageError {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "no message"
            return StorageError(code(forSQLState: state, phase: phase), "PostgreSQL \(server): \(message)", serverCode: state.isEmpty ? nil : state, underlying: error)
        case .queryCancelled:
            return StorageError(.timeout, "call to PostgreSQL \(server) was cancelled", underlying: error)
        case .tooManyParameters, .invalidCommandTag:
            return StorageError(.queryFailed, "PostgreSQL \(server) refused the statement (\(error.code))", underlying: error)
        case .messageDecodingFailure, .unexpectedBackendMessage:
            return StorageError(.protocolError, "unexpected answer from PostgreSQL \(server) (\(error.code))", underlying: error)
        case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
            return StorageError(.accessDenied, "authentication with PostgreSQL \(server) failed (\(error.code))", underlying: error)
        default:
            // Connection closed, pool closed, TLS refused, unclean shutdown.
            return StorageError(.unavailable, "PostgreSQL \(server) is unavailable (\(error.code))", underlying: error)
        }
    }

    /// SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
    static func code(forSQLState state: String, phase: PostgresPhase) -> Code {
        switch state {
        case "23505":
            return .conflict                        // unique_violation: a concurrent writer won
        case "57014":
            return .timeout                         // query_canceled (statement_timeout)
        case "55P03":
            return .timeout                         // lock_not_available (lock_timeout)
        case "28000", "28P01":
            return .accessDenied                    // invalid authorization / password
        case "57P01", "57P02", "57P03", "53300", "3D000":
            return .unavailable                     // shutdown, starting up, too many connections, no database
        default:
            if state.hasPrefix("08") { return .unavailable }   // connection exception
            return phase == .leasing ? .unavailable : .queryFailed
        }
    }
}
