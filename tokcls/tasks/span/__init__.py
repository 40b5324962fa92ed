"""Span-based NER: every candidate span of up to max_entity_length words scored over the entity types and "no
entity"; decoded flat (non-overlapping) or nested."""
