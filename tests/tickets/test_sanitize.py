from tickets.sanitize import clean_html


def test_scripts_handlers_and_styles_are_dropped():
    html = '<p onclick="steal()" style="color:red">Hi<script>alert(1)</script></p><a href="javascript:x()">x</a>'
    assert clean_html(html) == '<p>Hi</p><a rel="noopener noreferrer nofollow">x</a>'


def test_inline_images_stay_and_remote_ones_wait_for_consent():
    html = '<img src="cid:logo@x" alt="logo"><img src="https://t.example/pixel.gif?u=1&amp;m=2" onerror="x()">'
    assert clean_html(html) == (
        '<img src="cid:logo@x" alt="logo"><img data-remote-src="https://t.example/pixel.gif?u=1&amp;m=2">'
    )


def test_data_and_javascript_image_sources_are_dropped():
    assert clean_html('<img src="javascript:alert(1)"><img src="data:image/svg+xml;base64,PHN2Zz4=">') == "<img><img>"
