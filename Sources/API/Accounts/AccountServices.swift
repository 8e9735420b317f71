import Runtime
import Storage

/// What the account and session routes need, behind protocols so unit tests can use in-memory stores.
public struct AccountServices: Sendable {
    public var users: any UserStore
    public var sessions: any SessionStore
    public var passwordHasher: any PasswordHasher
    /// Sliding: every authenticated request pushes the expiry back by this much.
    public var sessionTTL: Duration
    /// Limits of logins, signups and every authenticated write (they all come with the accounts).
    public var rateLimits: RateLimiting

    public init(
        users: any UserStore, sessions: any SessionStore, passwordHasher: any PasswordHasher, sessionTTL: Duration,
        rateLimits: RateLimiting = .unlimited
    ) {
        self.users = users
        self.sessions = sessions
        self.passwordHasher = passwordHasher
        self.sessionTTL = sessionTTL
        self.rateLimits = rateLimits
    }

    /// The production wiring: users on the sharded tier, sessions in Redis (remembered in-process to ride out a
    /// short Redis outage), bcrypt at the configured cost.
    public init(dependencies: DarkroomDependencies, configuration: DarkroomConfiguration) {
        self.init(
            users: UserRepository(postgres: dependencies.postgres),
            sessions: StaleIfErrorSessionStore(RedisSessionStore(redis: dependencies.redis)),
            passwordHasher: BcryptPasswordHasher(cost: configuration.accounts.bcryptCost, pool: dependencies.bcryptPool),
            sessionTTL: configuration.accounts.sessionTTL,
            rateLimits: RateLimiting(
                limiter: RedisRateLimiter(redis: dependencies.redis), limits: configuration.rateLimits.limits,
                trustedProxies: configuration.rateLimits.trustedProxies)
        )
    }
}
