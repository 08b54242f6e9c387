-- The numbers each article states, so a near-duplicate must agree on its figures: another
-- day's report from the same template is not a copy (tasks/dedupe.py: figures, figures_agree).
-- Rows loaded before this migration are filled from their bodies with the same pattern.
ALTER TABLE article_minhash ADD COLUMN figures VARCHAR[];

UPDATE article_minhash AS m
SET figures = (
    SELECT list_distinct(list_transform(
        regexp_extract_all(a.body, '\d+(?:,\d{3})*(?:\.\d+)?'), lambda x: replace(x, ',', '')))
    FROM articles a WHERE a.article_id = m.article_id
);
