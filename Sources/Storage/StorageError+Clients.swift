import RedisClient
import S3

extension StorageError {
    /// The Redis client's error as Darkroom's: the same code, the error reply's prefix kept in `serverCode`.
    public init(_ error: RedisError) {
        let code: Code =
            switch error.code {
            case .accessDenied: .accessDenied
            case .commandFailed: .commandFailed
            case .conflict: .conflict
            case .invalidArgument: .invalidArgument
            case .protocolError: .protocolError
            case .timeout: .timeout
            case .unavailable: .unavailable
            }
        self.init(code, "Redis: \(error.message)", serverCode: error.serverCode, underlying: error)
    }

    /// The S3 client's error as Darkroom's: the same code, S3's error code and HTTP status kept.
    public init(_ error: S3Error) {
        let code: Code =
            switch error.code {
            case .notFound: .notFound
            case .alreadyExists: .alreadyExists
            case .accessDenied: .accessDenied
            case .unavailable: .unavailable
            case .timeout: .timeout
            case .invalidRange: .invalidRange
            case .rejected: .rejected
            case .protocolError: .protocolError
            case .conflict: .conflict
            case .invalidArgument: .invalidArgument
            }
        self.init(code, "S3: \(error.message)", serverCode: error.serverCode, httpStatus: error.httpStatus, underlying: error)
    }

    /// Any client error as a `StorageError`; a `StorageError` or any other error passes through unchanged.
    public static func mapping(_ error: any Error) -> any Error {
        switch error {
        case let error as RedisError: StorageError(error)
        case let error as S3Error: StorageError(error)
        default: error
        }
    }

    /// Runs `body`, mapping a Redis or S3 client error it throws to a `StorageError`.
    public static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw mapping(error)
        }
    }
}
