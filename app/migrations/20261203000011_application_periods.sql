-- Several validity periods in one visitor application (seed 001): each its
-- own passes. Written only for an application with more than one; the
-- application's own start and end dates span them all (the duplicate
-- rule's claims are held until the last period is over).
CREATE TABLE application_periods (
    application_id  TEXT NOT NULL REFERENCES applications(id),
    position        BIGINT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
);
