"""Where the tests find the site contract's sample pages.

The contract lives in `../shared/site-contract/pages/` beside the project; the reference site
ships verbatim copies as package data (nothing may read ../shared at run time). Tests read the
contract itself when it is there, and the copies otherwise; test_contract_copies checks the
two agree byte for byte.
"""
from pathlib import Path

from reference_site.samples import samples_dir

ROOT = Path(__file__).resolve().parents[1]
SHARED_PAGES = ROOT.parent / "shared" / "site-contract" / "pages"
PACKAGED_PAGES = Path(str(samples_dir()))
PAGES = SHARED_PAGES if SHARED_PAGES.is_dir() else PACKAGED_PAGES
