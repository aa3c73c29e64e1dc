// re-export kept until the merge
export * from '../frames/source-maps';
