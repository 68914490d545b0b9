CREATE TABLE greeter_greetings (
    id {{id}} PRIMARY KEY,
    team_id {{id}} NOT NULL,
    text {{text}} NOT NULL,
    created_at {{timestamp}} NOT NULL
);
