"""The steps both programs' evaluate, infer and export share: running and reporting an archive, streaming input lines
into an output file, writing and checking an export."""
