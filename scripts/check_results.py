"Check that a course run produced every expected table and figure, and that the tables are well-formed."
import json, re, sys
from pathlib import Path
import pandas as pd

# Files each chapter must write (chapters add theirs here).
EXPECTED = ['00_ceilings.md', '00_data_summary.json', '00_problems.csv', '00_labels_over_time.png',
            '00_caption_lengths.png', '00_sample_grid.png',
            '01_iou.md', '01_iou.csv', '01_overlays.png', '01_person_real.png',
            '02_top5_imagenet.md', '02_fmnist_resnet18.json',
            '03_text_preview.md',
            '04_retrieval.md', '04_retrieval.csv', '04_training_curve.png',
            '05_scheme1.md', '05_scheme1.csv', '05_scheme2.md', '05_scheme2.csv', '05_summary.md', '05_fusion_margins.md',
            '05_key_comparison.json',
            '05_accuracy.png', '05_roc.png', '05_single_splits.png',
            '06_random_vs_temporal.md', '06_random_vs_temporal.csv', '06_sequence_vs_baselines.md', '06_audit.csv',
            '06_audit_keyword_variant.csv', '06_forecast.md', '06_forecast_per_origin.csv', '06_power.md', '06_power.csv',
            '06_power.png', '06_twin_trends.png']

def check(results):
    "List of problems with the results folder (empty when all is well)."
    results, problems = Path(results), []
    for name in EXPECTED:
        if not (results/name).is_file() or (results/name).stat().st_size == 0: problems.append(f"missing or empty: {name}")
    for md in results.glob('[0-9][0-9]_*.md'):     # chapter tables (field_crawls.md holds run summaries, not a table)
        rows = [l for l in md.read_text().splitlines() if l.startswith('|')]
        if len(rows) < 3 or not re.match(r'^\|[\s:|-]+\|$', rows[1]): problems.append(f"no Markdown table in {md.name}")
        if re.search(r'\b(nan|NaN|inf)\b', md.read_text()): problems.append(f"NaN/inf in {md.name}")
    for csv in results.glob('*.csv'):
        if csv.name == '00_problems.csv': continue    # a list of loader problems: empty on the closet, as it should be
        df = pd.read_csv(csv)
        nums = df.select_dtypes('number')
        if df.empty or nums.empty or nums.isna().all().any(): problems.append(f"empty table or an all-NaN column: {csv.name}")
    for js in results.glob('*.json'): json.loads(js.read_text())
    return problems

if __name__ == '__main__':
    probs = check(sys.argv[1] if len(sys.argv) > 1 else 'results')
    print('\n'.join(probs) or 'results: all expected files present and well-formed')
    sys.exit(1 if probs else 0)
