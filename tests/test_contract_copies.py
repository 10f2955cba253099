"""The reference site's copies of the contract samples are the contract's, byte for byte."""
import pytest

from tests.contract import PACKAGED_PAGES, SHARED_PAGES


@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason="../shared is not beside this checkout")
def test_packaged_samples_are_verbatim_copies():
    for copy in PACKAGED_PAGES.iterdir():
        assert copy.read_bytes() == (SHARED_PAGES / copy.name).read_bytes(), copy.name
