-- How often each name was greeted. `name` is the key: stored lowercased,
-- VARCHAR(255) so every database can index it. Times are epoch milliseconds.
CREATE TABLE greetings (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    times BIGINT NOT NULL,
    last_greeted_at BIGINT NOT NULL
)
