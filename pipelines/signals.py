"""The output's own signals, sent through the crawler's signal manager (Scrapy style), so that
components that take part in a crawl's commit (the WARC archive, the latest view) plug in
without the dataset pipeline knowing them.

- `batch_sealing(part)`: a batch of dataset files is sealed and about to be published. A
  receiver seals its own files of the same batch and returns them as a list of
  (temporary path, final path) pairs: they are published with the batch, in the same commit,
  before its dataset files, so after any kill a committed batch has all of them or none, and
  a row that readers see never lacks them.
- `output_failed(message)`: a component that takes part in the commit cannot keep its part
  (the archive's writer is gone, its disk is full). The dataset pipeline stops the crawl and
  commits no batch after it, since that batch's rows would lack the component's files;
  `message` (what failed, in words a person acts on) becomes the crawl's message.
- `crawl_ended(root, crawl_id, status)`: the crawl's `crawls` row is first written, saying
  `status`: how the crawl ended is known, and stays so whatever happens after (a kill during the
  latest view's update: the same command then starts a new crawl). Receivers record the end
  (the archive's closing record) here, not on `crawl_committed`, which may never come.
- `crawl_committed(root, crawl_id, status)`: the crawl's `crawls` row is written (the crawl is
  visible to readers) and the latest view updated. Receivers update what is derived from
  committed crawls.
"""

batch_sealing = object()
output_failed = object()
crawl_ended = object()
crawl_committed = object()
