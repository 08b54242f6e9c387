-- What decided an incident's event type, so every type can be explained: "rule: <trigger as
-- written>" when the lexicon's trigger decided, "model" when the learned type model did, with
-- the model's probability for the type it chose (NULL when the rule decided alone).
ALTER TABLE incidents ADD COLUMN type_basis VARCHAR;
ALTER TABLE incidents ADD COLUMN type_probability DOUBLE;
ALTER TABLE incident_mentions ADD COLUMN type_basis VARCHAR;
ALTER TABLE incident_mentions ADD COLUMN type_probability DOUBLE;
