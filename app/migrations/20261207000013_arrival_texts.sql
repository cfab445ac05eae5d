-- A host is texted when a visitor they host first enters, unless they
-- turn it off on their home page.
ALTER TABLE staff ADD COLUMN arrival_texts BIGINT NOT NULL DEFAULT 1;
