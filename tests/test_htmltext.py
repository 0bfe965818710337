"""HTML to scraper text: block elements on their own lines, hidden parts dropped."""

import pytest

from newslayers.htmltext import TooDeepError, html_to_text


def test_blocks_lines_entities_and_hidden_parts() -> None:
    html = (
        "<html><head><title>Port &amp; harbour</title><style>p{}</style><script>var a=1</script></head>"
        "<body><nav><a>Home</a> <a>World</a></nav><h1>Head</h1><p>One\u00a0two <b>three</b>\n four</p>"
        "<!-- note -->after<div hidden>secret</div><p style='display: none'>gone</p><ul><li>a</li><li>b</li></ul></body></html>"
    )
    assert html_to_text(html) == "Port & harbour\nHome World\nHead\nOne\u00a0two three four\nafter\na\nb"
    assert html_to_text(html, newline="\r\n").count("\r\n") == 6


def test_empty_and_broken_pages() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


def test_deeply_nested_pages() -> None:
    assert html_to_text("<div>" * 250 + "deep" + "</div>" * 250) == "deep"
    # Past libxml2's default limit of 255 the page is still read whole (huge_tree) ...
    assert html_to_text("<div>" * 1000 + "deep" + "</div>" * 1000 + "<p>after</p>") == "deep\nafter"
    # ... and a page deeper than the parser can follow is refused, never silently cut.
    with pytest.raises(TooDeepError):
        html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000)
