// re-export kept until the merge
export * from '../record/records';
