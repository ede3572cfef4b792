#!/usr/bin/env python3
"""The scorer's vqa work done in Python, for make bench's ratio: read
VAL.json and DIR/vqa.txt, normalise every answer and every output the way
EvalAI's answer processor does (LLaVA's m4c_evaluator), compare, print the
accuracy.  The word tables (contractions, number words, articles,
punctuation) are read from common/score_evalai.c, so both sides use the
same ones.

    score_baseline.py VAL.json DIR common/score_evalai.c
"""
import json
import re
import sys


def c_tables(path):
    src = open(path, encoding="utf-8").read()

    def block(start, end):
        i = src.index(start)
        return src[i:src.index(end, i)]
    contractions = dict(re.findall(r'\{ "([^"]*)", "([^"]*)" \}',
                                   block("score_contractions[] = {", "};")))
    numbers = dict(re.findall(r'\{ "(\w+)", "(\d+)" \}',
                              block("score_numbers[][2] = {", "};")))
    articles = set(re.findall(r'"(\w+)"',
                              block("score_articles[] = {", "};")))
    punct = re.search(r'score_punct\[\] = "((?:[^"\\]|\\.)*)";', src).group(1)
    punct = re.sub(r"\\(.)", r"\1", punct)
    return contractions, numbers, articles, punct


CONTRACTIONS, NUMBERS, ARTICLES, PUNCT = c_tables(sys.argv[3])
COMMA_STRIP = re.compile(r"(\d)(,)(\d)")
PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")


def normalise(s):
    s = s.lower().replace(",", "").replace("?", "").replace("'s", " 's")
    s = s.strip().replace("\n", " ").replace("\t", " ").strip()
    out = s
    for p in PUNCT:
        if p + " " in s or " " + p in s or COMMA_STRIP.search(s):
            out = out.replace(p, "")
        else:
            out = out.replace(p, " ")
    out = PERIOD_STRIP.sub("", out, 32)
    words = [NUMBERS.get(w, w) for w in out.lower().split()]
    words = [CONTRACTIONS.get(w, w) for w in words if w not in ARTICLES]
    return " ".join(words)


def main():
    val = {it["image_id"]: it for it in json.load(open(sys.argv[1]))}
    right = n = 0
    with open(sys.argv[2] + "/vqa.txt", encoding="utf-8") as f:
        for line in f:
            image, _, _, output = line.rstrip("\n").split("\t", 3)
            item = val[image[:-len(".jpg")]]
            n += 1
            right += normalise(output) == normalise(item["answer"])
    print("%.6f" % (right / len(val)), n)


main()
