"""RealSelf (www.realself.com), and the reference site, which copies its URLs and markup.

Its pages and URLs are those of ../shared/site-contract/README.md: questions under
/question/<slug>, doctors under /dr/<slug>, topics under /<topic>, their listings under
/questions/<topic>, sitemaps
named by robots.txt, a PerimeterX wall answering a px-captcha page (with 403 or 404, or any
other status).
"""
from crawler.sites.base import Site

SITE = Site(
    name="realself",
    hosts=frozenset({"www.realself.com", "realself.com"}),
    host="www.realself.com",
    question_prefix="/question/",
    profile_prefix="/dr/",
    listing_prefix="/questions/",
    listing_page_parameter="page",
    topic_prefix="/",  # the question byline's "Botox" links /botox
    sitemap_suffixes=(".xml", ".xml.gz"),
    families=("legacy", "provider-card", "nextjs"),
    block_title="Access to this page has been denied",
    block_element_id="px-captcha",
    id_pattern=r"[0-9]+",  # the site's numeric ids (the contract's "Ids")
    # what a URL's path segment holds unescaped (RFC 3986's unreserved: letters, digits, - . _ ~),
    # one letter at least: the contract's /dr/<first>-<last>-<city>-<state>, and the underscores,
    # dots and doubled hyphens of other slug makers; a number alone is an id, not a slug
    slug_pattern=r"(?=.*[^\W\d_])[\w.~-]+",
)
