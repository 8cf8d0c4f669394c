"""Read a page's form as a browser would submit it, so a test can post it back untouched and compare."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.names: list[set[str]] = []
        self.inside = False
        self.select = None
        self.select_options = []
        self.textarea = None

    def _add(self, name, value):
        self.forms[-1].setdefault(name, []).append(value)

    @property
    def values(self):
        return self.forms[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
            self.names.append(set())
            self.inside = True
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if name:
            self.names[-1].add(name)
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self._add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self.select, self.select_options = (name, "multiple" in attrs), []
            self.values.setdefault(name, [])
        elif tag == "option" and self.select:
            self.select_options.append(attrs)
            if "selected" in attrs:
                self._add(self.select[0], attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            # Browsers drop the one line break that may follow <textarea>.
            self.values[self.textarea][-1] = self.values[self.textarea][-1].removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            if not multiple and not self.values[name] and self.select_options:
                self._add(name, self.select_options[0].get("value", ""))
            self.select = None


def form_values(html: str, containing: str) -> dict[str, list[str]]:
    """Every field of the first ``<form>`` with a field named ``containing``, with the values a browser would
    send (files left out)."""
    reader = _FormReader()
    reader.feed(html)
    return next(form for form, names in zip(reader.forms, reader.names, strict=True) if containing in names)


def without_token(values: dict) -> dict:
    return {name: value for name, value in values.items() if name != "csrfmiddlewaretoken"}
