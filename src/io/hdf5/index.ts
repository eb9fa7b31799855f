// Public API for reading the HDF5 data set files of the Python library implicit.

export { type Hdf5Orientation, type ImplicitHdf5Options, readImplicitHdf5 } from './implicit-hdf5.js';
