-- What decided an incident's event type, so every type can be explained: "rule: <trigger as
-- written>" when the lexicon's trigger decided, "model" when the learned type model did;
-- type_probability is the model's probability of the incident's event type when the model chose
-- it or agreed with the rule (NULL when the rule stood against the model, or no model ran).
ALTER TABLE incidents ADD COLUMN type_basis VARCHAR;
ALTER TABLE incidents ADD COLUMN type_probability DOUBLE;
ALTER TABLE incident_mentions ADD COLUMN type_basis VARCHAR;
ALTER TABLE incident_mentions ADD COLUMN type_probability DOUBLE;
