"""Text: generated titles and bodies, their markup in each family, and the contract's text rules.

A body is a list of paragraphs, a paragraph a list of lines (a lone <br> between lines). Lines are
raw text as the site stores it: it may hold '&', apostrophes, no-break spaces, curly quotes,
decomposed (NFD) accents and double spaces. Each family escapes it its own way; `plain()` applies
the contract's rules and is what the truth records hold.
"""
from __future__ import annotations

import random
import unicodedata

NBSP = "\u00a0"

TOPICS = (("Botox", "botox"), ("Botox Injections", "botox-injections"), ("Rhinoplasty", "rhinoplasty"),
          ("Tummy Tuck", "tummy-tuck"), ("Breast Augmentation", "breast-augmentation"),
          ("Liposuction", "liposuction"), ("Facelift", "facelift"), ("Juvéderm", "juvederm"),
          ("Breast Lift", "breast-lift"), ("Eyelid Surgery", "eyelid-surgery"),
          ("Laser Hair Removal", "laser-hair-removal"), ("Dental Implants", "dental-implants"),
          ("Lip Injections", "lip-injections"), ("Mommy Makeover", "mommy-makeover"),
          ("Brazilian Butt Lift", "brazilian-butt-lift"))

SYMPTOMS = ("swelling", "bruising", "redness", "a lump", "numbness", "asymmetry", "tightness", "itching",
            "a hard knot", "pain", "dimpling")
QUESTION_TITLES = (
    "Is {sym} normal {n} days after {proc}?", "How long does {proc} last?", "{Proc} results after {n} weeks?",
    "Can I exercise after {proc}?", "What are the risks of {proc}?", "Uneven results after {proc}",
    "Is {sym} {n} weeks after {proc} a concern?", "Should I be worried about {sym} & {sym2}?",
    "Will my {sym} go away after {proc}?", "Is it too soon for a {proc} touch-up?",
    "Can I get {proc} while breastfeeding?", "Why do I still have {sym} after {proc}?",
    "My “{proc}” results look different – is that OK?", "Is Juvéderm better than {proc}?",
    "How much does {proc} cost in {place}?",
)
ANSWER_TITLES = ("{Proc} and {sym}", "Normal healing", "Be patient", "Give it time.", "See your surgeon",
                 "{Proc}: what to expect", "{Sym} after {proc}", "This is common", "Don't worry",
                 "Follow up with your injector", "It's early in the recovery", "Résumé of options")
SENTENCES = (
    "Thank you for your question.", "Swelling is possible every time a needle penetrates the skin.",
    "It's not unusual to have some {sym} following {proc}.", "This usually resolves within a few days.",
    "If it does not resolve, you should contact your doctor.", "Give it {n} to {m} weeks before judging the result.",
    "Risks & benefits should be discussed in person.", "I'd recommend a cold compress for the first {n} days.",
    "Every patient heals differently, so don't compare yourself to others.",
    "The “final” result of {proc} takes time.", "Avoid aspirin and fish oil for {n} days before treatment.",
    "A board-certified surgeon can examine you and explain your options.",
    "Your café au lait spots are unrelated.", "Some patients notice {sym} at the injection site.",
    "Most of the {sym} goes away within {n}\u00a0weeks.", "Don’t massage the area unless told to.",
    "This is a normal part of healing.  Please be patient.", "I would see your surgeon to rule out an infection.",
    "Photos would help in giving you a better answer.", "Consider Juvéderm if volume is the concern.",
)
# Phone numbers in every separator form of the contract (has_contact_info true) and ten bare digits (false).
PHONES = ("{a} {b} {c}", "({a}) {b}-{c}", "({a}){b}-{c}", "{a}.{b}.{c}", "+1 {a}-{b}-{c}", "1-{a}-{b}-{c}",
          "{a}-{b}-{c}")
PLACES = ("Orange County, CA", "Phoenix, AZ", "Dallas, TX", "Brooklyn, NY", "Miami, FL", "Seattle, WA",
          "Chicago, IL", "Denver, CO", "San José, CA", "Boston, MA", "Atlanta, GA", "Long Island, NY")


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def _fill(rng: random.Random, template: str, proc: str) -> str:
    sym, sym2 = rng.sample(SYMPTOMS, 2)
    n = rng.randint(2, 9)
    return template.format(proc=proc, Proc=proc[:1].upper() + proc[1:], sym=sym, Sym=sym.capitalize(), sym2=sym2,
                           n=n, m=n + rng.randint(1, 4), place=rng.choice(PLACES).split(",")[0])


def question_title(rng: random.Random, proc: str) -> str:
    title = _fill(rng, rng.choice(QUESTION_TITLES), proc)
    return title + " (Photo)" if rng.random() < 0.08 else title


def answer_title(rng: random.Random, proc: str) -> str:
    return _fill(rng, rng.choice(ANSWER_TITLES), proc)


def contact_line(rng: random.Random) -> tuple[str, bool]:
    """A line that holds contact info (True) or only ten bare digits (False)."""
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999)
    r = rng.random()
    if r < 0.2:
        return f"My reference number is {a}{b}{c}.", False
    if r < 0.4:
        return f"Write to info@{rng.choice(('drclinic', 'smileteam', 'skinmd'))}.com for details.", True
    return "Call my office at " + rng.choice(PHONES).format(a=a, b=b, c=c) + " to see me.", True


def body(rng: random.Random, proc: str, paragraphs: tuple[int, int] = (1, 4), contact: float = 0.1):
    """(paragraphs, has_contact_info)."""
    paras = []
    for _ in range(rng.randint(*paragraphs)):
        sentences = [_fill(rng, rng.choice(SENTENCES), proc) for _ in range(rng.randint(1, 4))]
        sentences = [nfd(s) if rng.random() < 0.15 else s for s in sentences]
        if len(sentences) > 1 and rng.random() < 0.2:   # a lone <br> inside the paragraph
            cut = rng.randint(1, len(sentences) - 1)
            lines = [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
        else:
            lines = [(" " if rng.random() < 0.3 else "  ").join(sentences)]
        paras.append(lines)
    has_contact = False
    if rng.random() < contact:
        line, has_contact = contact_line(rng)
        paras.append([line]) if rng.random() < 0.5 else paras[-1].append(line)
    return paras, has_contact


# ---- the contract's text rules (truth) ----

def plain_line(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).replace(NBSP, " ").split())


def plain(paras) -> str:
    out = []
    for lines in paras:
        p = "\n".join(x for x in map(plain_line, lines) if x)
        if p:
            out.append(p)
    return "\n\n".join(out)


# ---- escaping per family ----

def esc_min(s: str) -> str:
    """provider-card / nextjs: only what HTML needs, apostrophes raw (as in the samples)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(NBSP, "&nbsp;")


def esc_full(s: str) -> str:
    """legacy: quotes as entities (&#x27;), like the sample."""
    return (esc_min(s).replace('"', "&quot;").replace("'", "&#x27;"))


def legacy_paras(paras, indent: str = "          ") -> str:
    return "\n".join(f"<p>\n{indent}  " + "<br>".join(map(esc_full, lines)) + f"\n{indent}</p>" for lines in paras)


def card_paras(paras) -> str:
    return "".join("<p>" + "<br>".join(map(esc_min, lines)) + "</p>" for lines in paras)


def next_html(paras) -> str:
    """nextjs bodyHtml: paragraphs glued with <br><br>, no white space."""
    return "<br><br>".join("<br>".join(map(esc_min, lines)) for lines in paras)


def ld_text(paras) -> str:
    """JSON-LD text: raw text, paragraphs lost (joined by a space)."""
    return " ".join(" ".join(lines) for lines in paras)
