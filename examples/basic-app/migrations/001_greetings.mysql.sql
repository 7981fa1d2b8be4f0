-- As 001_greetings.sql, with a binary collation on the key: MySQL and
-- MariaDB compare strings case-insensitively by default.
CREATE TABLE greetings (
    name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    times BIGINT NOT NULL,
    last_greeted_at BIGINT NOT NULL
)
