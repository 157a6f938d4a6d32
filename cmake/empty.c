/* Placeholder translation unit for a module folder that has no sources yet. */
typedef int celgate_empty_translation_unit;
