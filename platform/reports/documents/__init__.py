"""Documents: PDF report requests (a transactional outbox), the arq job that renders them, the
stored documents with their versions, and their public verification."""
