"""The first page and everything it loads weigh at most 60 KB compressed."""

import re

import pytest

pytestmark = pytest.mark.integration
BUDGET = 60 * 1024


async def test_the_first_page_with_its_assets_is_under_60_kb_compressed(api):
    headers = {"accept-encoding": "br, gzip"}
    page = await api.client.get("/", headers=headers)
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)

    answers = [page] + [await api.client.get(path, headers=headers) for path in assets]

    assert all(answer.status_code == 200 for answer in answers)
    assert {"/assets/site.css", "/assets/check.js"} <= set(assets)
    total = sum(answer.num_bytes_downloaded for answer in answers)
    print(f"first page: {total} bytes compressed over {len(answers)} requests")
    assert total <= BUDGET
