"""Old import path of pipelines.output.parquet (other branches and tests import it from here)."""
from pipelines.output.parquet import DatasetWriter, publish, warm_arrow, write_table  # noqa: F401
